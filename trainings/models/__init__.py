"""What is offered: providers, audiences, formats, themes, courses, prices and sessions.

One module per concern; every model and choices class is importable from here, so
`from trainings.models import Course` and the app registry see them as before. Imported in
the order they were defined when this was one module.
"""

# isort: off
from trainings.models.taxonomy import (
    Audience,
    Country,
    Delivery,
    Format,
    Level,
    Lifecycle,
    OrganisationType,
    PriceCategory,
    Provider,
    Theme,
)
from trainings.models.courses import Course, Price, ProgrammePart
from trainings.models.sessions import Location, Session, SessionDay
from trainings.models.paths import LearningPath, LearningPathStep, Profile, Resource
from trainings.models.words import SearchWord

# isort: on

__all__ = [
    "Audience",
    "Country",
    "Course",
    "Delivery",
    "Format",
    "LearningPath",
    "LearningPathStep",
    "Level",
    "Lifecycle",
    "Location",
    "OrganisationType",
    "Price",
    "PriceCategory",
    "Profile",
    "ProgrammePart",
    "Provider",
    "Resource",
    "SearchWord",
    "Session",
    "SessionDay",
    "Theme",
]
