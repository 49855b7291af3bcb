"""`antre report`: the day's figures and ticket journal, read-only from the store's event log.

`stats` computes the figures (pure), `tables` shapes them into the CSV rows docs/reports.md
documents, `cli` is the command: it reads the log through `server.store.StoreReader`.
"""
