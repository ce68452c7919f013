"""Student notebooks run inside a bubblewrap sandbox during autograding (see ``confined_kernel``)."""

from course_kit.confinement.confined_kernel import ConfinedKernelManager
from course_kit.confinement.sandbox import ConfinementError

__all__ = ["ConfinedKernelManager", "ConfinementError"]
