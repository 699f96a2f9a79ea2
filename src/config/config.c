#include "config/config.h"

#include "util/error.h"

#include <stdlib.h>
#include <string.h>

static char *config_strdup(const char *s)
{
    return s != NULL ? strdup(s) : NULL;
}

int config_init(struct config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->log_level = LOG_INFO;
    cfg->api_endpoint = config_strdup("tcp://localhost:11000");
    cfg->miner.device = config_strdup("any");
    cfg->miner.promiscuous = true;
    cfg->miner.snapshot_len = 65535;
    cfg->analyzer.period_ns = 1000000000;
    spot_params_default(&cfg->spot);
    for (int i = 0; i < STATS_COUNT; i++)
        cfg->spot_stat[i] = cfg->spot;
    cfg->exporter.socket.format = config_strdup("json");
    cfg->exporter.socket.tag = config_strdup("netspot");
    cfg->exporter.influxdb.address = config_strdup("http://127.0.0.1:8086");
    cfg->exporter.influxdb.database = config_strdup("netspot");
    cfg->exporter.influxdb.username = config_strdup("netspot");
    cfg->exporter.influxdb.password = config_strdup("netspot");
    cfg->exporter.influxdb.batch_size = 10;
    cfg->exporter.influxdb.agent_name = config_strdup("local");
    cfg->exporter.websocket.endpoint = config_strdup("localhost:11001");
    if (cfg->api_endpoint == NULL || cfg->miner.device == NULL ||
        cfg->exporter.websocket.endpoint == NULL)
        return error_set(ERROR_NOMEM, "config: out of memory");
    return 0;
}

void config_free(struct config *cfg)
{
    free(cfg->api_endpoint);
    free(cfg->miner.device);
    free(cfg->miner.filter);
    free(cfg->miner.user);
    free(cfg->exporter.file.data);
    free(cfg->exporter.file.alarm);
    free(cfg->exporter.socket.data);
    free(cfg->exporter.socket.alarm);
    free(cfg->exporter.socket.format);
    free(cfg->exporter.socket.tag);
    free(cfg->exporter.influxdb.address);
    free(cfg->exporter.influxdb.database);
    free(cfg->exporter.influxdb.username);
    free(cfg->exporter.influxdb.password);
    free(cfg->exporter.influxdb.agent_name);
    free(cfg->exporter.websocket.endpoint);
    memset(cfg, 0, sizeof(*cfg));
}
