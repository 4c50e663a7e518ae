"""`flask demo ...`: set up the demo platform for a newcomer."""

import click
from flask.cli import AppGroup

from lti_tool.db import db
from lti_tool.demo import endpoints, keys, registration

cli = AppGroup("demo", help="The demo LTI platform at /demo (development only).")


@cli.command("seed")
def seed():
    """Register the demo platform with the tool and make its key; safe to run again."""
    platform = registration.register(origin="cli")
    db.session.commit()
    keys.current()
    click.echo(f"Demo platform {platform.id} registered: {platform.issuer} client {platform.client_id}.")
    click.echo(f"Open {endpoints.platform_url()} to launch the tool as each role.")
