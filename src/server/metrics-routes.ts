/** `GET /metrics`: the Prometheus exposition text of the service's registry. */
import type { Metrics } from "./metrics.js";
import type { ApiRoute } from "./access.js";

/** The metrics route, for `apiRoutes`. */
export function metricsRoutes(metrics: Metrics): ApiRoute[] {
  return [
    {
      method: "GET",
      pattern: "/metrics",
      access: "run:read",
      handler: async () => {
        const { body, contentType } = await metrics.render();
        return { kind: "text", status: 200, body, contentType };
      },
    },
  ];
}
