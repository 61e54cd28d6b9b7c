error-marker-timeline = This timeline has no marker: “home” or “notifications”.
error-marker-id = The last read id must be a positive number.
