"""Reports over the journals and the workflows: the workflow audit of a unit or the
municipality, and the state machines drawn with their counts (R18, R36)."""
