"""Running the stages: the pipeline of one spec, the worker processes that run many side by
side, and the content-hash cache that answers unchanged ones."""
