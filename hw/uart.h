/* The host's COM1 16550, the hypervisor console. */
#ifndef HW_UART_H
#define HW_UART_H
#include "core/lib.h"

void uart_init(void);
void uart_putc(char c);
void uart_write(const char *s, size_t n);
/* Wait until the transmitter is empty (TEMT), bounded. */
void uart_drain(void);

#endif
