"""`closer schema NAME`: the JSON Schema of a document closer reads or prints."""

from __future__ import annotations

import click

from recommender.cli.app import main
from recommender.cli.render import _json_out
from recommender.output import INPUT_SCHEMAS, OUTPUT_MODELS, schema_names, shipped_schema


@main.command()
@click.argument("name", type=click.Choice(schema_names()))
def schema(name: str) -> None:
    """Print the JSON Schema of a document closer reads or prints.

    \b
    Inputs: {inputs} (suggestion is the library's Suggestion model).
    Outputs (the --json of that command): {outputs}.

    \b
    Example:
      closer schema suggest
    """
    _json_out(shipped_schema(name))


schema.help = (schema.help or "").format(
    inputs=", ".join(INPUT_SCHEMAS), outputs=", ".join(OUTPUT_MODELS)
)
