/* empty */ typedef int dnsapi_placeholder_t;
