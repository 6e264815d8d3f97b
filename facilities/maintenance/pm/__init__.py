"""Preventive maintenance: schedules, generation of work orders, meter readings, PM
compliance and calendar feeds."""
