"""The year's work of the Party school office (年度工作), free of I/O.

``facts``: what the register, the 学时 ledger, evaluation and certificates have told us, and how it stands;
``plan``: the annual training plan (年度培训计划) and its execution; ``rotation``: the five-year rotation of every
member (党员集中轮训); ``tasks``: training tasks assigned from above; ``elections``: new officers (换届) into
Party-affairs classes; ``cultivation``: records of activists and development targets (培养考察); ``budgets``: class
budgets against spending standards (规范经费使用); ``cadre_record``: the training record for the organisation
department (信息沟通机制). Labels of the register's codes, in reasons, are ``shared.vocabulary``'s.
"""
