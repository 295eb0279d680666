"""Network plumbing every process shares, standard library only: the loopback guard and the server's addresses
as its clients reach them."""
