nav-more = Plus
nav-bottom-label = Navigation rapide
