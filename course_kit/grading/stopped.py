"""``Stopped``: the one way the kit says a notebook's kernel can go no further."""


class Stopped(Exception):
    """The kernel can run nothing more: a stop rule ended the notebook (``executor``), or it died, or it is stuck.

    ``why`` is in the student's words.  The stop rules raise it to end a notebook; ``StudentKernel`` turns it
    into a failed check for each grader call that finds the kernel gone.
    """

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why
