"""`flask demo ...`: set up the demo platform for a newcomer; switch its gradebook outage on and off."""

import click
from flask.cli import AppGroup

from lti_tool.db import db
from lti_tool.demo import endpoints, keys, outage, registration

cli = AppGroup("demo", help="The demo LTI platform at /demo (development only).")


@cli.command("seed")
def seed():
    """Register the demo platform with the tool and make its key; safe to run again."""
    platform = registration.register(origin="cli")
    db.session.commit()
    keys.current()
    click.echo(f"Demo platform {platform.id} registered: {platform.issuer} client {platform.client_id}.")
    click.echo(f"Open {endpoints.platform_url()} to launch the tool as each role.")


@cli.command("outage")
@click.argument("state", type=click.Choice(["on", "off"]))
def outage_switch(state):
    """Take the demo gradebook offline (on) or bring it back (off)."""
    outage.set_gradebook_offline(state == "on")
    if state == "on":
        click.echo(f"The demo gradebook is offline: its AGS and token endpoints answer 503 (Retry-After: "
                   f"{outage.RETRY_AFTER_SECONDS}); the tool keeps grades pending and retries them.")
    else:
        click.echo("The demo gradebook is back; pending grades arrive at the tool's next try.")
