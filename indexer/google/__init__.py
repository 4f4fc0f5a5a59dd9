"""Talking to Google: ``client`` (googleapiclient services built from the shipped discovery
documents, retries, quota accounting and budget, record/replay, secret-free errors) and ``auth``
(API keys, service accounts, OAuth tokens; ``GoogleAccess`` hands out one client per API).
May import ``indexer.common`` only.
"""
