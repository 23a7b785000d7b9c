// The k6 release perfgate installs when none is given. Keep scripts/k6-version in step
// (a test checks they agree): the tests build this same version with `go install`.
export const K6_VERSION = '1.8.1'
