/* SPDX-License-Identifier: GPL-2.0 */
/*
 * trace.h - vmlab's tracepoints, the fault path's only output:
 *
 *	echo 1 > /sys/kernel/tracing/events/vmlab/enable
 *	cat /sys/kernel/tracing/trace_pipe
 *
 * vmlab_fault: a call of a region's fault or huge_fault handler;
 * vmlab_page_mkwrite: a call of its page_mkwrite handler. Both give the
 * region, the page index in it, whether the access writes, and the result
 * (vm_fault_t bits, 0x100 VM_FAULT_NOPAGE, 0x200 VM_FAULT_LOCKED, ...).
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM vmlab

#if !defined(_VMLAB_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _VMLAB_TRACE_H

#include <linux/mm_types.h>
#include <linux/tracepoint.h>

DECLARE_EVENT_CLASS(vmlab_fault_class,
		    TP_PROTO(u32 region, unsigned long pgoff, bool write,
			     vm_fault_t result),
		    TP_ARGS(region, pgoff, write, result),
		    TP_STRUCT__entry(__field(u32, region)
				     __field(unsigned long, pgoff)
				     __field(bool, write)
				     __field(unsigned int, result)),
		    TP_fast_assign(__entry->region = region;
				   __entry->pgoff = pgoff;
				   __entry->write = write;
				   __entry->result = (__force unsigned int)result;),
		    TP_printk("region=%u pgoff=%lu %s result=%#x",
			      __entry->region, __entry->pgoff,
			      __entry->write ? "write" : "read", __entry->result)
);

DEFINE_EVENT(vmlab_fault_class, vmlab_fault,
	     TP_PROTO(u32 region, unsigned long pgoff, bool write,
		      vm_fault_t result),
	     TP_ARGS(region, pgoff, write, result)
);

DEFINE_EVENT(vmlab_fault_class, vmlab_page_mkwrite,
	     TP_PROTO(u32 region, unsigned long pgoff, bool write,
		      vm_fault_t result),
	     TP_ARGS(region, pgoff, write, result)
);

#endif /* _VMLAB_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
