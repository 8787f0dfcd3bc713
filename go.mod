module github.com/reelvault/reelvault

go 1.26
