"""The intermediate model: `model` holds its frozen types, `build` makes one from a checked
spec, with the schema registry and the synthesised examples it needs."""
