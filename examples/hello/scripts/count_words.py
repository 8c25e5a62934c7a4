"""Counts the words and letters of the `text` param and publishes both as outputs."""
import json
import os

with open(os.environ["UPDRAFT_PARAMS"], encoding="utf-8") as f:
    text = json.load(f)["text"]

words = len(text.split())
letters = sum(c.isalpha() for c in text)
print(f"{text!r} has {words} words and {letters} letters")

# One JSON object per line publishes several outputs at once, with their types.
with open(os.environ["UPDRAFT_OUTPUTS"], "a", encoding="utf-8") as f:
    f.write(json.dumps({"words": words, "letters": letters}) + "\n")
