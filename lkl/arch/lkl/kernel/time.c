// SPDX-License-Identifier: GPL-2.0
/*
 * Time from the host: CLOCK_MONOTONIC drives the clocksource, sched_clock
 * and one-shot timers; CLOCK_REALTIME seeds the wall clock at boot.
 */
#include <linux/clocksource.h>
#include <linux/clockchips.h>
#include <linux/interrupt.h>
#include <linux/sched/clock.h>
#include <linux/timekeeping.h>
#include <linux/delay.h>
#include <linux/time.h>
#include <asm/host_ops.h>
#include <asm/lkl_internal.h>

static unsigned long long boot_time_ns;
static void *host_timer;
static int timer_irq;

unsigned long long sched_clock(void)
{
	if (!boot_time_ns)
		return 0;
	return lkl_ops->time() - boot_time_ns;
}

void read_persistent_clock64(struct timespec64 *ts)
{
	*ts = ns_to_timespec64(lkl_ops->realtime());
}

static u64 clock_read(struct clocksource *cs)
{
	return lkl_ops->time();
}

static struct clocksource host_clocksource = {
	.name	= "lkl",
	.rating	= 499,
	.read	= clock_read,
	.mask	= CLOCKSOURCE_MASK(64),
	.flags	= CLOCK_SOURCE_IS_CONTINUOUS | CLOCK_SOURCE_VALID_FOR_HRES,
};

static int host_timer_next_event(unsigned long delta_ns,
			    struct clock_event_device *evt)
{
	return lkl_ops->timer_set_oneshot(host_timer, delta_ns);
}

static int host_timer_shutdown(struct clock_event_device *evt)
{
	/* A stale expiry only raises an interrupt that finds nothing due. */
	return 0;
}

static struct clock_event_device host_clockevent = {
	.name			= "lkl",
	.features		= CLOCK_EVT_FEAT_ONESHOT,
	.set_next_event		= host_timer_next_event,
	.set_state_shutdown	= host_timer_shutdown,
	.set_state_oneshot	= host_timer_shutdown,
	.rating			= 499,
	.cpumask		= cpu_possible_mask,
};

static irqreturn_t timer_interrupt(int irq, void *dev_id)
{
	struct clock_event_device *evt = dev_id;

	if (evt->event_handler)
		evt->event_handler(evt);
	return IRQ_HANDLED;
}

/* Runs on a host timer thread. */
static void timer_expired(void *arg)
{
	lkl_trigger_irq(timer_irq);
}

void __init time_init(void)
{
	int ret;

	boot_time_ns = lkl_ops->time();

	timer_irq = lkl_get_free_irq("timer");
	if (timer_irq < 0)
		panic("lkl: no interrupt line for the timer\n");
	ret = request_irq(timer_irq, timer_interrupt, IRQF_TIMER, "timer",
			  &host_clockevent);
	if (ret)
		panic("lkl: cannot request the timer irq: %d\n", ret);

	host_timer = lkl_ops->timer_alloc(timer_expired, NULL);
	if (!host_timer)
		panic("lkl: cannot allocate a host timer\n");

	ret = clocksource_register_khz(&host_clocksource, 1000000);
	if (ret)
		panic("lkl: cannot register the clocksource: %d\n", ret);

	clockevents_config_and_register(&host_clockevent, NSEC_PER_SEC, 1,
					ULONG_MAX);
}

void lkl_time_cleanup(void)
{
	if (host_timer) {
		lkl_ops->timer_free(host_timer);
		host_timer = NULL;
	}
	if (timer_irq > 0) {
		lkl_put_irq(timer_irq, "timer");
		timer_irq = 0;
	}
}

/* Delays busy-wait on the host clock; there is nothing to calibrate. */
void __init calibrate_delay(void)
{
}

void __ndelay(unsigned long nsecs)
{
	unsigned long long until = lkl_ops->time() + nsecs;

	while (lkl_ops->time() < until)
		cpu_relax();
}

void __udelay(unsigned long usecs)
{
	__ndelay(usecs * NSEC_PER_USEC);
}

void __const_udelay(unsigned long xloops)
{
	/* asm-generic/delay.h scales microseconds by 0x10c7 (2**32 / 10**6). */
	__udelay(xloops / 0x10c7);
}

void __delay(unsigned long loops)
{
	__ndelay(loops);
}
