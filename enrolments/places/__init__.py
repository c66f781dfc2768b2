"""Places: the rules that take and free places, public forms, views, self-service links."""
