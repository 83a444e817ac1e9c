"""The benchmark scripts' access to the API: the Python client (clients/python/sparselab.py) with
$SPARSELAB_TOKEN, else the token `sparselab up` wrote to $SPARSELAB_HOME/admin-token (./.sparselab)."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "clients", "python"))
from sparselab import Client  # noqa: E402


def client(base):
    token = os.environ.get("SPARSELAB_TOKEN")
    if not token:
        with open(os.path.join(os.environ.get("SPARSELAB_HOME", ".sparselab"), "admin-token")) as f:
            token = f.read().strip()
    return Client(base.rstrip("/"), token)
