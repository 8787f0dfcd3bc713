// Package domain holds Reelvault's domain types, the service interfaces that
// the store implements, and the one error type every layer speaks.
//
// It imports only the standard library. The store package implements the
// services on SQLite (and PostgreSQL); the backup package and the app layer
// (CLI, HTTP API, desktop window) consume them.
package domain
