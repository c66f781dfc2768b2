"""The public pages of enrolling: forms, views and their input checks, over places/."""
