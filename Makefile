# Plain shortcuts; README.md documents the commands behind them.

FUZZTIME ?= 5m
# Go's default (60s per new input) can spend a whole short run minimising.
FUZZMINIMIZETIME ?= 5s

.PHONY: all check test vet docs generate fuzz release build ci

all: vet test

# The main job: lint the example project.
check:
	go run ./cmd/prefect-lsp check examples/

# Every test (the race detector needs cgo and a C compiler).
test:
	go test -race ./...

vet:
	@out=$$(find . -name '*.go' -not -path '*/node_modules/*' -not -path '*/testdata/*' -not -path './.git/*' -print0 | xargs -0 gofmt -l); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	go vet ./...

# Regenerate docs/rules from the rule registry.
docs:
	go test ./internal/analysis/rules -run TestDocsUpToDate -update-docs

# Regenerate the Go tables derived from schema/ (schema index, work-pool catalogue).
generate:
	go test ./schema -run TestIndexGenerated -update-index
	go test ./internal/workpools -run TestCatalogueGenerated -update-catalogue

# Run every fuzz target for FUZZTIME each (make fuzz FUZZTIME=30s).
fuzz:
	@set -e; for file in $$(grep -rl --include='*_test.go' '^func Fuzz' internal); do \
	  dir=$$(dirname $$file); \
	  for target in $$(grep -o '^func Fuzz[A-Za-z0-9_]*' $$file | cut -d' ' -f2); do \
	    echo "== ./$$dir $$target"; \
	    go test ./$$dir -run '^$$' -fuzz "^$$target$$" -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZETIME); \
	  done; \
	done

build:
	CGO_ENABLED=0 go build -trimpath -o dist/prefect-lsp ./cmd/prefect-lsp

release:
	scripts/release.sh

ci:
	.ci/run
