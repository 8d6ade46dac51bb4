/** Where a listener is when a stream starts: a city with its coordinates and IANA time zone. */
export interface Location {
  latitude: number;
  longitude: number;
  country: string;
  city: string;
  timezone: string;
}
