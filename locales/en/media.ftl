# Media: uploads, attachments, files.
error-media-type = is not of an accepted type (JPEG, PNG, WebP or GIF pictures; MP4 or WebM video; MP3, Ogg or M4A sound; PDF documents)
error-media-unreadable = cannot be read or is damaged
error-media-pixels = has too many pixels (at most 7680 × 4320)
error-media-too-large = is too large
error-media-too-long = is too long (three hours at most)
error-media-quota = would exceed your account's storage
error-media-too-many = { $max } attachments at most
error-media-unknown = does not name one of your files
error-media-processing = a file is still being processed: try again in a moment
error-media-used = a file is already used elsewhere
error-media-not-image = must be a picture
error-media-thumbnail = custom thumbnails are not supported yet
error-focus = must be two numbers from -1 to 1 separated by a comma (x,y)
error-description-too-long = 1500 characters at most
field-file = File
field-thumbnail = Thumbnail
field-focus = Focal point
