"""A question's tags: short labels a test maker finds questions by in the course's bank ("week 3", "hard"), as
Moodle's question tags. Kept as written, each once (compared without case), in the order given."""

MAX_TAGS = 20
MAX_LENGTH = 50


def normalised(tags):
    """The tags stripped and each kept once (the first spelling wins), blanks dropped."""
    kept, seen = [], set()
    for tag in tags:
        tag = " ".join(tag.split())
        if tag and tag.casefold() not in seen:
            kept.append(tag)
            seen.add(tag.casefold())
    return tuple(kept)


def problems(tags):
    """What is wrong with a question's tags (already normalised), in words for the test maker."""
    if len(tags) > MAX_TAGS:
        yield f"the question has {len(tags)} tags; at most {MAX_TAGS} are allowed"
    for tag in tags:
        if len(tag) > MAX_LENGTH:
            yield f"the tag “{tag[:20]}…” has {len(tag)} characters; at most {MAX_LENGTH} are allowed"


def matches(question_tags, wanted):
    """Whether a question with `question_tags` carries every tag of `wanted` (compared without case)."""
    have = {tag.casefold() for tag in question_tags or ()}
    return all(tag.casefold() in have for tag in wanted)
