"""The wire: botocore's service models decide every operation's shape."""
