import { onWillDestroy } from "@odoo/owl";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { SelectionField, selectionField } from "@web/views/fields/selection/selection_field";

/**
 * The order's Webshop state (smart button), kept up to date: the queue job
 * that sends the order tells the purchase users' bus when a transmission
 * changes state, and the form showing that order reloads (unless it has
 * unsaved changes).
 */
export class TransmissionStateField extends SelectionField {
    setup() {
        super.setup();
        const busService = useService("bus_service");
        const onUpdate = ({ order_ids }) => {
            const record = this.props.record;
            if (record.resId && order_ids.includes(record.resId) && !record.dirty) {
                record.load();
            }
        };
        busService.subscribe("topgeschenken_oci/transmission_state", onUpdate);
        onWillDestroy(() =>
            busService.unsubscribe("topgeschenken_oci/transmission_state", onUpdate)
        );
    }
}

registry.category("fields").add("oci_transmission_state", {
    ...selectionField,
    component: TransmissionStateField,
});
