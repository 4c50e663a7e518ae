"""What gunicorn serves. gevent must patch the standard library before anything else is imported."""

from gevent import monkey

monkey.patch_all()

from psycogreen.gevent import patch_psycopg  # noqa: E402

patch_psycopg()

from lti_tool import background, create_app  # noqa: E402

app = create_app()
background.start(app)
