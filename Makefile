# The same commands the README gives; CI runs `.ci/run`, which runs `make test`'s command.
.PHONY: run test lint bench fuzz

run:
	go run ./cmd/faqwiki

test:
	go test -race -count=1 -timeout 30m ./...

lint:
	go vet ./...
	test -z "$$(gofmt -l .)"
	go run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

bench:
	go test -run '^$$' -bench . -benchmem ./...

fuzz:
	go test -run '^$$' -fuzz FuzzSlug -fuzztime 30s ./wiki/
	go test -run '^$$' -fuzz FuzzRender -fuzztime 30s ./wiki/markdown/
	go test -run '^$$' -fuzz FuzzMerge3 -fuzztime 30s ./wiki/diff/
	go test -run '^$$' -fuzz FuzzCompare -fuzztime 30s ./wiki/diff/
	go test -run '^$$' -fuzz FuzzBlame -fuzztime 30s ./wiki/blame/
	go test -run '^$$' -fuzz FuzzDelta -fuzztime 30s ./store/
