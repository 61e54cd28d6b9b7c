# The instance's discovery endpoints: directory, suggestions, trends.
error-offset-negative = must be zero or more
error-directory-order = Choose "active" or "new".
field-order = Order
