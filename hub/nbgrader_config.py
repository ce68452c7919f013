"""nbgrader settings for every server the course's hub starts (make hub installs it as <prefix>/venv/etc/jupyter/).

Students get the course through the hub: their Assignments panel lists the courses of their hub groups
(nbgrader-<course>, through nbgrader's JupyterHubAuthPlugin), from the shared exchange.  The instructor's server
reads the course's own nbgrader_config.py from the course root after this file; its local_config.py names the same
exchange (docs/jupyterhub.md).
"""

import os

c = get_config()  # noqa: F821  (injected by traitlets' config loader)

c.Authenticator.plugin_class = "nbgrader.auth.JupyterHubAuthPlugin"
c.Exchange.root = os.environ.get("FROM_LOGITS_EXCHANGE", "/srv/nbgrader/exchange")
c.Exchange.path_includes_course = True  # as the course's configuration: <exchange>/<course>/outbound, inbound, ...
