"""What a request meets: the running hall behind Flask and Socket.IO, authentication, rate limits, languages,
the print worker and the kiosk agents' link. Blueprints live in hallq/api/ and the top-level kiosk/, caller/,
display_board/, manager/; the app factory in hallq/app/."""
