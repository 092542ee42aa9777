/* The bind-and-load loop of the change model, for tests (see changeview.h). */
#include "changeview.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

int changeview_settle(dns_view_t *v, dns_change_t *c, dns_report_t *rep, changeview_load_fn load,
                      void *ctx)
{
    int loads = 0;
    for (int round = 0; !dns_report_failed(rep); round++) {
        assert_true(round < 3);
        dns_report_clear(rep);
        dns_view_bind(v, c, rep);
        dns_interest_t more = {{0}, {0}, {0}};
        assert_int_equal(dns_change_interest(c, v, &more), DNSAPI_OK);
        size_t missing = more.at.n + more.pointing.n + more.below.n;
        if (missing > 0) {
            load(ctx, v, c, &more);
            loads++;
        }
        dns_interest_clear(&more);
        if (missing == 0) {
            break;
        }
    }
    if (!dns_report_failed(rep)) {
        dns_limits_t lim = {60, 604800};
        dns_rules_check_change(&lim, c, v, rep);
    }
    return loads;
}
