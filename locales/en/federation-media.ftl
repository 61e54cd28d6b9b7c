# Media of other servers: their files, fetched and copied here when someone looks at them.
error-media-remote-unavailable = the server this file comes from did not answer: try again later
error-media-remote-missing = the server this file comes from does not give it
error-media-remote-refused = this file's address may not be fetched
