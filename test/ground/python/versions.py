"""Prints the versions of the test ground's Python packages as JSON, importing each as a test would."""

import json
from importlib.metadata import version

import delta_sharing
import deltalake
import pandas
import pyarrow

print(
    json.dumps(
        {
            "deltaSharing": delta_sharing.__version__,
            "deltaSharingDist": version("delta-sharing"),
            "deltalake": deltalake.__version__,
            "pandas": pandas.__version__,
            "pyarrow": pyarrow.__version__,
        }
    )
)
