# Thin wrapper: the logic lives in scripts/*.sh (see README.md).
.PHONY: demo test

demo:  ## set up, load demo data, serve on http://127.0.0.1:8000
	@bash scripts/demo.sh

test:  ## set up, lint, run the whole suite; pytest options go in ARGS="..."
	@bash scripts/test.sh $(ARGS)
