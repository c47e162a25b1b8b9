// The ztunnel and waypoint runtimes land here (issues: ztunnel runtime, waypoint runtime).
export {};
