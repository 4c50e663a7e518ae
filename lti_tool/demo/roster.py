"""The demo course and its people: constants, so a fresh install can launch at once."""

from dataclasses import dataclass

LIS = "http://purl.imsglobal.org/vocab/lis/v2/"
LEARNER = LIS + "membership#Learner"
INSTRUCTOR = LIS + "membership#Instructor"
TEACHING_ASSISTANT = LIS + "membership/Instructor#TeachingAssistant"
FACULTY = LIS + "institution/person#Faculty"

COURSE = {"id": "demo-course", "label": "DEMO101", "title": "Demo Course 101"}
COURSE_TYPE = LIS + "course#CourseOffering"


@dataclass(frozen=True)
class Person:
    """A member of the demo course with a stable sub and LTI roles."""

    sub: str
    given_name: str
    family_name: str
    roles: tuple[str, ...]

    @property
    def name(self):
        """The full name, as the platform displays it."""
        return f"{self.given_name} {self.family_name}"

    @property
    def email(self):
        """A mailbox on the reserved demo domain."""
        return f"{self.given_name}.{self.family_name}@demo.example".lower()


TEST_MAKER = Person("demo-user-grace-hopper", "Grace", "Hopper", (INSTRUCTOR, FACULTY))
# Canvas sends a TA as Instructor plus the TeachingAssistant sub-role.
PROCTOR = Person("demo-user-alan-turing", "Alan", "Turing", (INSTRUCTOR, TEACHING_ASSISTANT))
STUDENTS = (
    Person("demo-user-ada-lovelace", "Ada", "Lovelace", (LEARNER,)),
    Person("demo-user-katherine-johnson", "Katherine", "Johnson", (LEARNER,)),
    Person("demo-user-edsger-dijkstra", "Edsger", "Dijkstra", (LEARNER,)),
    Person("demo-user-barbara-liskov", "Barbara", "Liskov", (LEARNER,)),
    Person("demo-user-donald-knuth", "Donald", "Knuth", (LEARNER,)),
)
PEOPLE = (TEST_MAKER, PROCTOR, *STUDENTS)
FIRST_STUDENT = STUDENTS[0]


def find(sub):
    """The person with this sub, or None."""
    return next((person for person in PEOPLE if person.sub == sub), None)
