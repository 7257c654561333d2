"""A stand-in prompt classifier, loaded by dotted path as a real one would be."""


def refuse_shouting(prompt: str) -> tuple[str, str] | None:
    if prompt.isupper():
        return ("shouting", "Please don't write the whole prompt in capitals.")
    return None
