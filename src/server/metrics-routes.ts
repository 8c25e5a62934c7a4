/** `GET /metrics`: the Prometheus exposition text of the service's registry. */
import type { Handler } from "./api-handlers.js";
import type { Metrics } from "./metrics.js";
import type { Route } from "./router.js";

/** The metrics route, for `apiRoutes`. */
export function metricsRoutes(metrics: Metrics): Route<Handler>[] {
  return [
    {
      method: "GET",
      pattern: "/metrics",
      handler: async () => {
        const { body, contentType } = await metrics.render();
        return { kind: "text", status: 200, body, contentType };
      },
    },
  ];
}
