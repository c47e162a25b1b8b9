export { type MonitoringRoutes, type MonitoringServer, startMonitoringServer } from './http-server';
