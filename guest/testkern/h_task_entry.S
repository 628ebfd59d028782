/* Code of the second tasks of the task-switch test (h_task.c). Each runs
 * in its own TSS; every entry into a task resumes where it last left. */
	.text
	.code32

	/* Task B: count the entry, note TR and EFLAGS, go back by IRET (to
	 * the task that called it: NT set) or by a JMP to task A. */
	.globl task_b_entry
task_b_entry:
1:	lock incl task_b_runs
	strw task_b_tr
	pushfl
	popl task_b_eflags
	cmpl $0, task_b_exit_jmp
	jne 2f
	iretl
	jmp 1b
2:	ljmp $0x18, $0
	jmp 1b

	/* The double-fault task: entered through the task gate of vector 8
	 * with the error code on its stack. */
	.globl task_df_entry
task_df_entry:
	movl (%esp), %eax
	movl %eax, task_df_error
	movl %esp, task_df_esp
	lock incl task_df_runs
	call task_df_fix
	iretl
	jmp task_df_entry

	.section .note.GNU-stack, "", @progbits
