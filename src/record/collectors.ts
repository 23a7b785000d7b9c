// Data shapes of the collectors' parts. Each collector module owns its shape here.

export interface PrometheusData {
  [key: string]: unknown
}

export interface PostgresData {
  [key: string]: unknown
}

export interface RedisData {
  [key: string]: unknown
}

export interface AppStatsData {
  [key: string]: unknown
}

export interface ProfilesData {
  [key: string]: unknown
}
