"""One-off data migrations between schema versions: each is re-runnable on rows added later."""
