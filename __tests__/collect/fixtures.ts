// Scrapes shaped like the testbed's (client_golang) before and after a small load.
export const SCRAPE_BEFORE = `# HELP http_requests_total HTTP requests by method, route template and status.
# TYPE http_requests_total counter
http_requests_total{method="GET",path="/api/v1/clips",status="200"} 10
http_requests_total{method="GET",path="/api/v1/clips/:id",status="200"} 5
# HELP http_request_duration_seconds HTTP request latency by method and route template.
# TYPE http_request_duration_seconds histogram
http_request_duration_seconds_bucket{method="GET",path="/api/v1/clips",le="0.01"} 5
http_request_duration_seconds_bucket{method="GET",path="/api/v1/clips",le="0.1"} 10
http_request_duration_seconds_bucket{method="GET",path="/api/v1/clips",le="+Inf"} 10
http_request_duration_seconds_sum{method="GET",path="/api/v1/clips"} 0.3
http_request_duration_seconds_count{method="GET",path="/api/v1/clips"} 10
http_request_duration_seconds_bucket{method="GET",path="/api/v1/clips/:id",le="0.01"} 5
http_request_duration_seconds_bucket{method="GET",path="/api/v1/clips/:id",le="0.1"} 5
http_request_duration_seconds_bucket{method="GET",path="/api/v1/clips/:id",le="+Inf"} 5
http_request_duration_seconds_sum{method="GET",path="/api/v1/clips/:id"} 0.02
http_request_duration_seconds_count{method="GET",path="/api/v1/clips/:id"} 5
# HELP http_in_flight_requests HTTP requests being served.
# TYPE http_in_flight_requests gauge
http_in_flight_requests 0
# TYPE external_request_duration_seconds histogram
external_request_duration_seconds_bucket{service="twitch",le="0.01"} 1
external_request_duration_seconds_bucket{service="twitch",le="0.1"} 2
external_request_duration_seconds_bucket{service="twitch",le="+Inf"} 2
external_request_duration_seconds_sum{service="twitch"} 0.05
external_request_duration_seconds_count{service="twitch"} 2
# HELP go_goroutines Number of goroutines that currently exist.
# TYPE go_goroutines gauge
go_goroutines 12
# TYPE go_gc_duration_seconds summary
go_gc_duration_seconds{quantile="0"} 1.2e-05
go_gc_duration_seconds{quantile="1"} 0.0003
go_gc_duration_seconds_sum 0.001
go_gc_duration_seconds_count 4
# TYPE process_cpu_seconds_total counter
process_cpu_seconds_total 1.5
# TYPE go_sched_gomaxprocs_threads gauge
go_sched_gomaxprocs_threads 4
`

export const SCRAPE_AFTER = SCRAPE_BEFORE.replace(
  /http_requests_total\{method="GET",path="\/api\/v1\/clips",status="200"\} 10/,
  'http_requests_total{method="GET",path="/api/v1/clips",status="200"} 110\nhttp_requests_total{method="GET",path="/api/v1/clips",status="500"} 2',
)
  .replace('path="/api/v1/clips",le="0.01"} 5', 'path="/api/v1/clips",le="0.01"} 55')
  .replace('path="/api/v1/clips",le="0.1"} 10', 'path="/api/v1/clips",le="0.1"} 100')
  .replace('path="/api/v1/clips",le="+Inf"} 10', 'path="/api/v1/clips",le="+Inf"} 112')
  .replace(
    'http_request_duration_seconds_sum{method="GET",path="/api/v1/clips"} 0.3',
    'http_request_duration_seconds_sum{method="GET",path="/api/v1/clips"} 4.3',
  )
  .replace(
    'http_request_duration_seconds_count{method="GET",path="/api/v1/clips"} 10',
    'http_request_duration_seconds_count{method="GET",path="/api/v1/clips"} 112',
  )
  .replace('service="twitch",le="0.01"} 1', 'service="twitch",le="0.01"} 11')
  .replace('service="twitch",le="0.1"} 2', 'service="twitch",le="0.1"} 22')
  .replace('service="twitch",le="+Inf"} 2', 'service="twitch",le="+Inf"} 22')
  .replace(
    'external_request_duration_seconds_count{service="twitch"} 2',
    'external_request_duration_seconds_count{service="twitch"} 22',
  )
  .replace(
    'external_request_duration_seconds_sum{service="twitch"} 0.05',
    'external_request_duration_seconds_sum{service="twitch"} 0.45',
  )
  .replace('go_goroutines 12', 'go_goroutines 30')
  .replace('go_gc_duration_seconds_count 4', 'go_gc_duration_seconds_count 14')
  .replace('process_cpu_seconds_total 1.5', 'process_cpu_seconds_total 11.5')
