nav-more = More
nav-bottom-label = Quick navigation
